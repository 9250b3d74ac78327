#!/usr/bin/env node
// Runs the built server (`npm run build`, or `npm start` which builds what is missing).
import "../dist/main.js";
