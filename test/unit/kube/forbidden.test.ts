import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grantHint, refusalIn, refusalOf, statusError, type Refusal } from '../../../src/kube/errors.js';

// The API server's own wording (k8s.io/apiserver forbiddenMessage, apimachinery NewForbidden).
const SECRET = 'secrets "cosign-pub" is forbidden: User "auditor" cannot get resource "secrets" in API group "" in the namespace "apps"';
const LIST_ALL = 'ocirepositories.source.toolkit.fluxcd.io is forbidden: User "jane@example.com" cannot list resource "ocirepositories" in API group "source.toolkit.fluxcd.io" at the cluster scope';
const PATH = 'forbidden: User "system:anonymous" cannot get path "/apis/source.toolkit.fluxcd.io"';
const refusal = (message: string): Refusal => {
  const r = refusalIn(message);
  assert.ok(r, `not read: ${message}`);
  return r;
};
const status = (message: string, details?: Record<string, unknown>): unknown => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason: 'Forbidden', code: 403, ...(details && { details }) });

describe('forbidden: what to grant', () => {
  it('reads the refusal of a get in a namespace, with the object named', () => {
    assert.deepEqual(refusalIn(SECRET), { user: 'auditor', verb: 'get', resource: 'secrets', group: '', namespace: 'apps', name: 'cosign-pub' });
  });

  it('reads a cluster-wide list and a non-resource URL', () => {
    assert.deepEqual(refusalIn(LIST_ALL), { user: 'jane@example.com', verb: 'list', resource: 'ocirepositories', group: 'source.toolkit.fluxcd.io' });
    assert.deepEqual(refusalIn(PATH), { user: 'system:anonymous', verb: 'get', path: '/apis/source.toolkit.fluxcd.io' });
    assert.equal(refusalIn('forbidden by a webhook'), undefined);
  });

  it('takes the name from the Status details when the message has none', () => {
    const body = status('User "a" cannot get resource "secrets" in API group "" in the namespace "apps"', { name: 'regcred', kind: 'secrets' });
    assert.equal(refusalOf(body)?.name, 'regcred');
  });

  it('names the verb, the resource and the scope, and the can-i that checks it', () => {
    assert.equal(grantHint(refusal(SECRET)), 'grant get on secrets in namespace apps (kubectl auth can-i get secrets/cosign-pub -n apps --as auditor)');
    assert.equal(
      grantHint(refusal(LIST_ALL)),
      'grant list on ocirepositories.source.toolkit.fluxcd.io cluster-wide, with a ClusterRoleBinding (kubectl auth can-i list ocirepositories.source.toolkit.fluxcd.io -A --as jane@example.com)',
    );
    assert.equal(grantHint(refusal(PATH)), 'grant get on the URL /apis/source.toolkit.fluxcd.io (kubectl auth can-i get /apis/source.toolkit.fluxcd.io --as system:anonymous)');
  });

  it('quotes a user name the shell would split, and a subresource as can-i takes it', () => {
    const hint = grantHint({ user: "O'Brien Team", verb: 'create', resource: 'serviceaccounts/token', group: '', namespace: 'flux-system', name: 'sc' });
    assert.equal(hint, `grant create on serviceaccounts (subresource token) in namespace flux-system (kubectl auth can-i create serviceaccounts/sc --subresource token -n flux-system --as 'O'\\''Brien Team')`);
  });

  it('a 403 keeps the API server message and adds the grant, on one line', () => {
    const e = statusError(403, status(SECRET, { name: 'cosign-pub', kind: 'secrets' }), 'get Secret apps/cosign-pub', 'https://k');
    assert.equal(e.code, 'kube.forbidden');
    assert.equal(e.message, `${SECRET}; grant get on secrets in namespace apps (kubectl auth can-i get secrets/cosign-pub -n apps --as auditor)`);
    assert.ok(!e.message.includes('\n'));
    // a message worded otherwise is passed on as it is
    assert.equal(statusError(403, status('denied by policy'), 'x', 'https://k').message, 'denied by policy');
  });
});
