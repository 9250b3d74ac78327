#!/usr/bin/env node
/** `bifrost` — the command line. Login, push/pull/watch and run arrive with the CLI work. */
process.stdout.write("bifrost: the command line is not implemented yet\n");
process.exitCode = 1;
