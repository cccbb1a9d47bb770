export default async function globalTeardown() {
  await Promise.all([globalThis.__MESSAGIO_REDIS__?.stop(), globalThis.__MESSAGIO_POSTGRES__?.stop()]);
}
