/**
 * Every class decorated with `@MessagioType` in this process, in decoration
 * order: message types an app knows before any listener names them (a class
 * it only fires). Read at bootstrap by the startup report and the contracts;
 * never on a message's path.
 */
const declared = new Set<object>();

export function declareMessageClass(cls: object): void {
  declared.add(cls);
}

export function declaredMessageClasses(): readonly object[] {
  return [...declared];
}
