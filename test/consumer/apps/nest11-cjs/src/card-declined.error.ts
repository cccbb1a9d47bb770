export class CardDeclinedError extends Error {
  override name = 'CardDeclinedError';

  constructor(orderId: string) {
    super(`card declined for order ${orderId}`);
  }
}
