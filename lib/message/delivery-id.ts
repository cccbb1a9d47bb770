/**
 * Id of one delivery (message × listener): `messageId|listenerId`. `|`
 * because BullMQ forbids `:` in custom job ids; neither id may contain it.
 */
export function deliveryIdOf(messageId: string, listenerId: string): string {
  return `${messageId}|${listenerId}`;
}

/** `messageId|listenerId` → its parts (split at the last `|`: a listener id never holds one). */
export function splitDeliveryId(id: string): { messageId: string; listener: string } {
  const at = id.lastIndexOf('|');
  return { messageId: id.slice(0, at), listener: id.slice(at + 1) };
}
