/** The editor's declarations, gathered at build time (apps/web/editor-types.ts): path → content. */
declare module "virtual:bifrost-editor-types" {
  const files: Record<string, string>;
  export default files;
}
