import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { accountOfKey, isCatalogDocument, serverPayload } from '../settings';

test('account of a key', () => {
  assert.equal(accountOfKey('pat.abc123.fakeTokenId.fakeSecretValue'), 'abc123');
  assert.equal(accountOfKey('sat.acct.tok.secret'), 'acct');
  assert.equal(accountOfKey(' pat.abc123.t.s\n'), 'abc123');
  assert.equal(accountOfKey('not-a-key'), undefined);
  assert.equal(accountOfKey('pat..t.s'), undefined);
  assert.equal(accountOfKey(undefined), undefined);
});

test('payload carries the settings and the key, or null', () => {
  const values: Record<string, unknown> = { baseUrl: 'http://127.0.0.1:7878/gateway', hosts: [], live: true };
  const get = (name: string) => values[name];
  assert.deepEqual(serverPayload(get, 'pat.a.b.c'), {
    baseUrl: 'http://127.0.0.1:7878/gateway', hosts: [], live: true, apiKey: 'pat.a.b.c',
  });
  assert.equal(serverPayload(get, undefined).apiKey, null);
  assert.equal(serverPayload(get, '  ').apiKey, null);
  assert.equal('server' in serverPayload(() => 'x', 'k'), false);
});

test('catalog documents', () => {
  assert.ok(isCatalogDocument('/r/catalog-info.yaml', ''));
  assert.ok(isCatalogDocument('C:\\r\\catalog-info.yml', ''));
  assert.ok(isCatalogDocument('/r/org.catalog-info.yaml', ''));
  assert.ok(isCatalogDocument('/r/team.yaml', 'apiVersion: backstage.io/v1alpha1\nkind: Group\n'));
  assert.ok(!isCatalogDocument('/r/.github/workflows/ci.yml', 'name: ci\non: push\n'));
  assert.ok(!isCatalogDocument('/r/my-catalog-info.yaml.bak', ''));
});
