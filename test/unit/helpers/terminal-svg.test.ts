import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import xtermHeadless from '@xterm/headless';
import { DARK_THEME, FONT_FAMILY, escapeXml, paletteColor, terminalSvg } from '../../helpers/terminal-svg.js';

const CSI = '\u001b[';

/** A tiny headless terminal holding what `data` draws, parsed (xterm parses asynchronously). */
async function terminal(cols: number, rows: number, data: string): Promise<InstanceType<typeof xtermHeadless.Terminal>> {
  const term = new xtermHeadless.Terminal({ cols, rows, allowProposedApi: true });
  await new Promise<void>((r) => term.write(data, r));
  return term;
}

/** the <text> elements, one per line of the SVG */
const texts = (svg: string): string[] => svg.split('\n').filter((l) => l.startsWith('<text'));
const rects = (svg: string): string[] => svg.split('\n').filter((l) => l.startsWith('<rect x='));

describe('terminalSvg', () => {
  it('sizes the picture from the cells, on a dark background, in the fixed font stack', async () => {
    const svg = terminalSvg(await terminal(10, 2, 'hi'), { title: 'a <demo> & more' });
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="108" height="60" viewBox="0 0 108 60" /);
    assert.ok(svg.includes(`font-family="${FONT_FAMILY}"`));
    assert.ok(svg.includes(`<rect width="100%" height="100%" rx="6" fill="${DARK_THEME.background}"/>`));
    assert.ok(svg.includes('<title>a &lt;demo&gt; &amp; more</title>'));
    assert.ok(svg.endsWith('</svg>\n'));
  });

  it('draws one run per stretch of equal attributes, at its cell, with the colour xterm parsed', async () => {
    const term = await terminal(40, 3, `${CSI}1;31mA&<${CSI}0m ${CSI}38;5;208mB${CSI}0m${CSI}38;2;1;2;3mrgb${CSI}0m ${CSI}2;3;4mdim${CSI}0m\r\n  plain  text`);
    const t = texts(terminalSvg(term));
    assert.deepEqual(t, [
      `<text x="12" y="26" textLength="25.2" fill="${DARK_THEME.ansi[1]}" class="b">A&amp;&lt;</text>`,
      '<text x="45.6" y="26" textLength="8.4" fill="#ff8700">B</text>',
      '<text x="54" y="26" textLength="25.2" fill="#010203">rgb</text>',
      `<text x="87.6" y="26" textLength="25.2" fill="${DARK_THEME.foreground}" class="d i u">dim</text>`,
      // leading and trailing blanks are not drawn; the spaces inside a run are kept
      `<text x="28.8" y="44" textLength="92.4" fill="${DARK_THEME.foreground}">plain  text</text>`,
    ]);
  });

  it('swaps the colours of inverse cells and paints backgrounds as rectangles', async () => {
    const term = await terminal(10, 1, `${CSI}7mab${CSI}0m${CSI}44mcd${CSI}0m`);
    const svg = terminalSvg(term);
    assert.deepEqual(rects(svg), [`<rect x="12" y="12" width="16.8" height="18" fill="${DARK_THEME.foreground}"/>`, `<rect x="28.8" y="12" width="16.8" height="18" fill="${DARK_THEME.ansi[4]}"/>`]);
    assert.deepEqual(texts(svg), [`<text x="12" y="26" textLength="16.8" fill="${DARK_THEME.background}">ab</text>`, `<text x="28.8" y="26" textLength="16.8" fill="${DARK_THEME.foreground}">cd</text>`]);
  });

  it('pins glyphs beyond ASCII to their own cells, two for a wide one', async () => {
    const t = texts(terminalSvg(await terminal(10, 1, '└─ ✔ 界x')));
    assert.deepEqual(
      t.map((l) => /x="([\d.]+)".*textLength="([\d.]+)".*>(.*)<\/text>/.exec(l)?.slice(1)),
      [
        ['12', '8.4', '└'],
        ['20.4', '8.4', '─'],
        ['37.2', '8.4', '✔'],
        ['54', '16.8', '界'],
        ['70.8', '8.4', 'x'],
      ],
    );
  });

  it('leaves invisible text out and is the same every time', async () => {
    const term = await terminal(20, 1, `shown ${CSI}8msecret${CSI}0m`);
    const svg = terminalSvg(term);
    assert.ok(!svg.includes('secret'));
    assert.equal(terminalSvg(term), svg);
  });

  it('knows the 256-colour palette', () => {
    assert.equal(paletteColor(9), DARK_THEME.ansi[9]);
    assert.equal(paletteColor(16), '#000000');
    assert.equal(paletteColor(231), '#ffffff');
    assert.equal(paletteColor(208), '#ff8700');
    assert.equal(paletteColor(232), '#080808');
    assert.equal(paletteColor(255), '#eeeeee');
  });

  it('escapes XML', () => {
    assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
