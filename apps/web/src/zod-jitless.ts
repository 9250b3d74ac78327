import { config } from "zod";

// The client's Content-Security-Policy has no 'unsafe-eval' (apps/server/src/api/plugins/
// security-headers.ts). zod compiles object parsers with `new Function` when it may, and to find out
// it calls `Function("")` at the first parse: the browser refuses that and reports a violation.
// Interpreted parsing checks the same; the client's payloads are small. Imported first by main.tsx,
// before any module can parse.
config({ jitless: true });
