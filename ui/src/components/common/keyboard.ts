/** Keys typed into a field belong to the field, not to the page's shortcuts. */
export function isTextEntry(target: EventTarget | undefined): boolean {
  return (
    (target instanceof HTMLInputElement && target.type !== 'checkbox' && target.type !== 'radio') ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}
