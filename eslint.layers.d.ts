// Types of eslint.layers.js (plain JavaScript: ESLint loads it before any TypeScript).
import type { Linter } from "eslint";

export declare const layerRules: Linter.Config;
