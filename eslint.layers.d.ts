// Types of eslint.layers.js (plain JavaScript: ESLint loads it before any TypeScript).
import type { ESLint, Linter } from "eslint";

export declare function layerOf(file: string): { index: number; name: string } | undefined;
export declare const layersPlugin: ESLint.Plugin;
export declare const layerRules: Linter.Config;
