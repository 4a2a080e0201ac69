import type { Config } from '../config.js';
import { isLoopbackBind } from './host-allowlist.js';

/** What to warn about at start when the listeners are reachable from other machines. */
export function exposureWarnings(config: Config): string[] {
  if (isLoopbackBind(config.host)) return [];
  const warnings: string[] = [];
  if (!config.ingestToken && !config.ingestTokenFile) warnings.push(`listening on ${config.host} without --ingest-token: anyone who can reach the ports can write spans`);
  if (!config.uiToken && !config.uiTokenFile) warnings.push(`listening on ${config.host} without --ui-token: anyone who can reach port ${config.httpPort} can read every trace`);
  if (!config.tlsCert) warnings.push('listening beyond loopback without --tls-cert/--tls-key: tokens and spans travel in clear text');
  return warnings;
}
