// The rooms of lib/ and what each may know (docs/architecture.md draws them).
// Run by `npm run lint` (`depcruise lib`): a dependency that breaks a rule
// fails CI with the rule's name and its comment, which says what to do instead.
//
// Type-only imports count (tsPreCompilationDeps): a room that names another
// room's type depends on it as much as one that calls it.

/** What a transport may import from lib/: its own room, the shared contract, the envelope and delivery states, errors. */
const TRANSPORT_MAY_IMPORT = [
  '^lib/transports/',
  '^lib/contract/',
  '^lib/message/(envelope|delivery-state|delivery-id)[.]ts$',
  '^lib/errors/',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Files of lib/ import each other in a loop. Each file calls only downward (docs/architecture.md): move the shared ' +
        'type or helper into the lower room (contract/ for what the pipeline, listeners and transports share; message/ for ' +
        'what message.fire() returns), or hand the dependency over at bootstrap (messagio.providers.ts).',
      from: { path: '^lib/' },
      to: { circular: true },
    },
    {
      name: 'no-circular-rooms',
      scope: 'folder',
      severity: 'error',
      comment:
        'Two rooms (folders of lib/, or a room and the module wiring at the root of lib/) import each other. Rooms form ' +
        'a ladder: errors, message, contract, listeners and transports, delivery, then the wiring, testing and health. ' +
        'Import only downward: move what both need into the lower room, or inject it from messagio.providers.ts.',
      // errors/ is left out: a flat folder of leaf classes every room throws, one of which names the receipt
      // (MessagioBatchDispatchError.receipts). A file loop through it is still no-circular's.
      from: { path: '^lib', pathNot: '^lib/errors$' },
      to: { circular: true, pathNot: '^lib/errors$' },
    },
    {
      name: 'transports-know-no-nest-di',
      severity: 'error',
      comment:
        'A transport imports something outside what transports may know: only lib/transports/, lib/contract/ (Delivery, ' +
        'outcomes, the priority scale), the envelope and delivery states of lib/message/, and lib/errors/; never ' +
        '@nestjs/core, a listener or the pipeline (anything Nest injects). A transport gets what it needs as constructor ' +
        'options (messagio.providers.ts / messagio.module.ts) and calls the pipeline only through the DeliveryHandler ' +
        'given to start(). (@nestjs/common is allowed for Logger alone; eslint.config.js refuses its DI decorators here.)',
      from: { path: '^lib/transports/' },
      to: { path: ['^lib/', '^node_modules/@nestjs/core/'], pathNot: TRANSPORT_MAY_IMPORT },
    },
    {
      name: 'contract-is-plain',
      severity: 'error',
      comment:
        'lib/contract/ holds plain shapes every room shares (Delivery, outcomes, the priority scale): it may import only ' +
        'itself, the envelope and delivery states of lib/message/ and lib/errors/, and no framework. Put behaviour in the ' +
        'room that owns it.',
      from: { path: '^lib/contract/' },
      to: { path: ['^lib/', '^node_modules/'], pathNot: ['^lib/contract/', '^lib/message/(envelope|delivery-state|delivery-id)[.]ts$', '^lib/errors/'] },
    },
    {
      name: 'listeners-know-no-bullmq',
      severity: 'error',
      comment:
        'A listener file imports BullMQ or a transport. Listeners are discovered, resolved and registered the same way ' +
        'whatever carries their deliveries: use the shapes in lib/contract/ (priority scale, backoff), and leave ' +
        'broker settings to lib/transports/bullmq/.',
      from: { path: '^lib/listeners/' },
      to: { path: ['^node_modules/(bullmq|@nestjs/bullmq)/', '^lib/transports/'] },
    },
    {
      name: 'messages-know-no-queue',
      severity: 'error',
      comment:
        'A file of lib/message/ imports the pipeline, a listener, a transport, the contract or BullMQ. Messages, their ' +
        'codec and envelope are the bottom room (above errors/): move what they need down into lib/message/, or the code ' +
        'that needs both up into lib/delivery/.',
      from: { path: '^lib/message/' },
      to: { path: ['^lib/(delivery|transports|listeners|contract|testing|health)/', '^lib/[^/]+[.]ts$', '^node_modules/(bullmq|@nestjs/bullmq)/'] },
    },
    {
      name: 'bullmq-only-in-its-room',
      severity: 'error',
      comment:
        'bullmq or @nestjs/bullmq is imported outside lib/transports/bullmq/, the module wiring at the root of lib/ and ' +
        'lib/health/. Everything else speaks the transport contract (lib/transports/messagio-transport.interface.ts, ' +
        'lib/contract/): add what you need to the BullMQ transport, or to its options (bullmq-transport.options.ts).',
      from: { path: '^lib/', pathNot: ['^lib/transports/bullmq/', '^lib/[^/]+[.]ts$', '^lib/health/'] },
      to: { path: '^node_modules/(bullmq|@nestjs/bullmq)/' },
    },
    {
      name: 'contracts-only-in-their-entry',
      severity: 'error',
      comment:
        'A file of lib/ outside lib/contracts/ and lib/cli/ imports lib/contracts/ (the ./contracts entry: JSON Schema, ' +
        'AsyncAPI, compatibility), which loads class-validator-jsonschema: apps that do not use contracts must never load ' +
        'it. What a message needs on its path (versions, upcasters) belongs in lib/message/ or lib/delivery/.',
      from: { path: '^lib/', pathNot: '^lib/(contracts|cli)/' },
      to: { path: '^lib/contracts/' },
    },
    {
      name: 'schema-libraries-only-in-contracts',
      severity: 'error',
      comment:
        'class-validator-jsonschema or @asyncapi/* is imported outside lib/contracts/. They serve the ./contracts entry ' +
        'alone (the main entry keeps its dependency footprint): put the code that needs them in lib/contracts/.',
      from: { path: '^lib/', pathNot: '^lib/contracts/' },
      to: { path: '^node_modules/(class-validator-jsonschema|@asyncapi)/' },
    },
    {
      name: 'cli-is-a-leaf',
      severity: 'error',
      comment:
        'A file of lib/ outside lib/cli/ imports lib/cli/ (the nestjs-messagio command, run by `bin`): nothing a library ' +
        'user loads may depend on the command. Move what both need into lib/contracts/ (or a room below).',
      from: { path: '^lib/', pathNot: '^lib/cli/' },
      to: { path: '^lib/cli/' },
    },
    {
      name: 'sql-clients-only-in-outbox',
      severity: 'error',
      comment:
        'pg or an ORM (typeorm, drizzle-orm, knex, kysely, @prisma/client, @mikro-orm/*, @nestjs-cls/transactional) is ' +
        'imported outside lib/outbox/. The outbox is the one room that speaks to the app\'s database, through the ' +
        'nestjs-messagio/outbox entry, so that the main entry loads without any of them: put the code in lib/outbox/ ' +
        '(one adapter a file, importing only its client\'s types), and reach the pipeline through lib/delivery/outbox-port.ts.',
      from: { path: '^lib/', pathNot: '^lib/outbox/' },
      to: { path: '^node_modules/(@types/pg|pg|typeorm|drizzle-orm|knex|kysely|@prisma/client|@mikro-orm/[^/]+|@nestjs-cls/transactional)/' },
    },
    {
      name: 'outbox-is-an-entry',
      severity: 'error',
      comment:
        'A file of lib/ outside lib/outbox/, lib/testing/ and lib/cli/ imports lib/outbox/ (the nestjs-messagio/outbox entry). ' +
        'The publisher and the admin know the outbox only as OutboxPort (lib/delivery/outbox-port.ts), provided under ' +
        'MESSAGIO_OUTBOX by MessagioOutboxModule: move what both need into lib/delivery/outbox-port.ts.',
      from: { path: '^lib/', pathNot: ['^lib/outbox/', '^lib/testing/', '^lib/cli/'] },
      to: { path: '^lib/outbox/' },
    },
    {
      name: 'lib-knows-no-tests',
      severity: 'error',
      comment:
        'lib/ imports tests, benchmarks or the sample app, which are not published. Move what lib/ needs into lib/ ' +
        '(test helpers users may call belong in lib/testing/).',
      from: { path: '^lib/' },
      to: { path: '^(test|bench|sample)/' },
    },
    {
      name: 'lib-knows-no-tests',
      severity: 'error',
      comment:
        'A file of lib/ outside lib/testing/ imports lib/testing/ (the ./testing entry: test harness, virtual clock). ' +
        'Production code must not load test helpers: move what both need into the room below (e.g. lib/transports/clock.ts).',
      from: { path: '^lib/', pathNot: '^lib/testing/' },
      to: { path: '^lib/testing/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      // `npx depcruise lib -T mermaid --collapse '^lib/[^/]+/'`: the rooms and how they depend on each other.
      archi: { collapsePattern: '^lib/[^/]+/|^node_modules/(@[^/]+/)?[^/]+' },
    },
  },
};
