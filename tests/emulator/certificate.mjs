// A throw-away self-signed certificate for the emulated Microsoft hosts, made with openssl at
// test time (never committed). The browser runs with --ignore-certificate-errors, but the names
// still matter: they keep the TLS handshake identical to what the real hosts present.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_HOSTS } from './hosts.mjs';
import { TMP } from './paths.mjs';

const DIR = join(TMP, 'emulator-tls');

/**
 * Returns {key, cert} (PEM strings) naming `hosts`, generating them on first use and whenever the
 * host list changes, so every test file of a run shares one certificate.
 */
export function ensureCertificate(hosts = ALL_HOSTS) {
  const keyFile = join(DIR, 'key.pem');
  const certFile = join(DIR, 'cert.pem');
  const namesFile = join(DIR, 'names.txt');
  const names = [...hosts].sort().join('\n');
  const current = existsSync(namesFile) && existsSync(keyFile) && existsSync(certFile)
    && readFileSync(namesFile, 'utf8') === names;
  if (!current) {
    mkdirSync(DIR, { recursive: true });
    const san = hosts.map((h) => `DNS:${h}`).join(',');
    const r = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '7',
      '-subj', '/CN=Registration Guard test emulator', '-addext', `subjectAltName=${san}`,
    ], { encoding: 'utf8' });
    if (r.error) throw new Error(`openssl could not start (${r.error.message}): install openssl to run the browser tests`);
    if (r.status !== 0) throw new Error(`openssl could not create the emulator certificate: ${r.stderr.trim()}`);
    writeFileSync(namesFile, names);
  }
  return { key: readFileSync(keyFile), cert: readFileSync(certFile) };
}
