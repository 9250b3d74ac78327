/**
 * @bifrost/sdk — what workflow authors import. The execution engine work fills in `workflow()`,
 * `tool()`, `dataProvider()`, `ctx` and the data modules (API.md "The SDK").
 */
export const SDK_VERSION = "0.1.0";
