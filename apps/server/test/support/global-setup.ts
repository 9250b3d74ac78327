// Filled in with the migrated template database (see test/support/database.ts).
export default function setup(): void {}
