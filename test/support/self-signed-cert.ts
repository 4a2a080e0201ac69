import { execFileSync } from 'node:child_process';
import path from 'node:path';

export interface SelfSignedCert {
  certFile: string;
  keyFile: string;
}

/** A P-256 certificate for localhost and 127.0.0.1, valid one day, made with the openssl CLI. */
export function makeSelfSignedCert(dir: string): SelfSignedCert {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    { stdio: 'ignore', timeout: 20_000 },
  );
  return { certFile, keyFile };
}
