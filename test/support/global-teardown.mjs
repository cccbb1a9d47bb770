export default async function globalTeardown() {
  await globalThis.__MESSAGIO_REDIS__?.stop();
}
