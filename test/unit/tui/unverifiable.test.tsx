import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { Header } from '../../../src/tui/Header.js';
import { detailLines, lineText } from '../../../src/tui/detail.js';
import { nodesToRows, rowCells, type RowQuery } from '../../../src/tui/rows.js';
import { colorer } from '../../../src/tui/theme.js';
import { REASONS } from '../../../src/verdict/reasons.js';
import { unverifiableFleet } from '../report/unverifiable-fixture.js';
import { fleet } from './fixtures.js';

const q = (over: Partial<RowQuery> = {}): RowQuery => ({ filter: '', collapsed: new Set(), problemsOnly: false, ...over });

describe('the interactive view: sources Flux cannot verify', () => {
  it('the header counts them, and only when there are some', () => {
    const r = unverifiableFleet();
    const shown = render(<Header title="kubectl verify" report={r} completed={1} total={1} rerunning={false} spinnerFrame={0} scope={{ filter: '', problemsOnly: false }} color={colorer(false)} />);
    assert.match(shown.lastFrame() ?? '', new RegExp(`${r.summary.unverifiable} unverifiable`));
    shown.unmount();
    const none = render(<Header title="kubectl verify" report={fleet()} completed={1} total={1} rerunning={false} spinnerFrame={0} scope={{ filter: '', problemsOnly: false }} color={colorer(false)} />);
    assert.doesNotMatch(none.lastFrame() ?? '', /unverifiable/);
    none.unmount();
  });

  it('rows: a ? glyph, the warning tone, the state word and the reason label; after failures, before verified', () => {
    const r = unverifiableFleet();
    const rows = nodesToRows(r, q());
    const byId = new Map(r.nodes.map((n) => [n.id, n]));
    const cells = rows.filter((row) => row.depth === 0).map((row) => rowCells(row, byId.get(row.id) ?? assert.fail(row.id), 0));
    const bucket = rows.find((row) => row.id === 'Kustomization/edge/from-bucket');
    assert.ok(bucket);
    const c = rowCells(bucket, byId.get(bucket.id) ?? assert.fail('node'), 0);
    assert.equal(c.glyph, '?');
    assert.equal(c.tone, 'warning');
    assert.equal(c.verdict, `UNVERIFIABLE · ${REASONS.unverifiable.label}`);
    // the failing chart (flux-refuses) comes before every unverifiable root
    assert.equal(cells[0]?.glyph, '✘');
    assert.ok(cells.slice(1).every((x) => x.glyph === '?'), cells.map((x) => x.glyph).join(''));
  });

  it('problems only hides them, as the default exit code does not count them', () => {
    const rows = nodesToRows(unverifiableFleet(), q({ problemsOnly: true }));
    assert.deepEqual(rows.filter((row) => row.depth === 0).map((row) => row.id), ['HelmChart/edge/web-strict']);
  });

  it('detail: the finding\'s own next step (what to move to, which inputs to verify), not the reason\'s general one', () => {
    const r = unverifiableFleet();
    const ea = r.nodes.find((n) => n.id === 'ExternalArtifact/edge/bundle');
    assert.ok(ea);
    const text = detailLines(ea, r).map(lineText).join('\n');
    assert.match(text, /\? UNVERIFIABLE · a source Flux cannot verify/);
    assert.match(text, /derived from 2 inputs: OCIRepository\/edge\/base \(verified\), Bucket\/edge\/manifests \(unverifiable\)/);
    assert.match(text, /next\s+verify each input of the generator at its source \(OCIRepository\/edge\/base, Bucket\/edge\/manifests/);
    assert.match(text, /uses ArtifactGenerator\/edge\/bundle · used by Kustomization\/edge\/generated/);
    const bucket = r.nodes.find((n) => n.id === 'Bucket/edge/manifests');
    assert.ok(bucket);
    assert.match(detailLines(bucket, r).map(lineText).join('\n'), /next\s+publish the content as a signed OCI artifact .*upstream, in the pipeline that uploads to the bucket/);
  });
});
