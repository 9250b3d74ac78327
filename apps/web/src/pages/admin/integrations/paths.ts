/** The API paths of OAuth connections and integrations. */
export const connectionPath = (name: string) => `/api/oauth/connections/${encodeURIComponent(name)}`;
export const integrationPath = (id: string) => `/api/integrations/${encodeURIComponent(id)}`;

/** A JSON object as the text of an edit box ("" for an empty one). */
export const objectText = (value: Record<string, unknown>) =>
  Object.keys(value).length > 0 ? JSON.stringify(value, null, 2) : "";
