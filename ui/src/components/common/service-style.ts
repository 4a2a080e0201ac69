/** Inline style carrying a service's light and dark colours; CSS picks one with light-dark(). */
import { serviceColor } from '../../model/service-colors';

export function serviceStyle(service: string): string {
  const color = serviceColor(service);
  return `--svc-l:${color.light};--svc-d:${color.dark}`;
}
