/** Not enough of an item left: the order's transaction rolls back, its OrderPlaced with it. */
export class OutOfStockError extends Error {
  override readonly name = 'OutOfStockError';

  constructor(
    readonly sku: string,
    readonly wanted: number,
  ) {
    super(`Not enough ${sku} in stock for ${wanted}: the order was not placed.`);
  }
}
