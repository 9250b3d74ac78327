import { propertiesInOrder } from "@bifrost/contracts";
import { Card, Table } from "../../components/ui/index.js";

/** The little of a JSON Schema the table reads. */
type PropertySchema = {
  type?: string | string[];
  enum?: unknown[];
  items?: PropertySchema;
  anyOf?: PropertySchema[];
  default?: unknown;
  description?: string;
  format?: string;
};

type Row = { name: string; type: string; required: boolean; default: string; description: string };

/** A property's type in words: `string`, `one of "a", "b"`, `list of number`, `string or null`. */
function typeOf(schema: PropertySchema): string {
  if (schema.enum) return `one of ${schema.enum.map((value) => JSON.stringify(value)).join(", ")}`;
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(" or ");
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) return "any";
  return types
    .map((type) => {
      if (type === "array") return schema.items ? `list of ${typeOf(schema.items)}` : "list";
      if (type === "string" && schema.format) return `string (${schema.format})`;
      return type;
    })
    .join(" or ");
}

function rowsOf(schema: Record<string, unknown>): Row[] {
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return propertiesInOrder<PropertySchema>(schema as { properties?: Record<string, PropertySchema> }).map(
    ([name, property]) => ({
      name,
      type: typeOf(property),
      required: required.has(name),
      default: property.default === undefined ? "—" : JSON.stringify(property.default),
      description: property.description ?? "",
    }),
  );
}

/** A workflow's parameters as platform admins read them: one row each, in declared order. */
export function WorkflowParameters({ schema }: { schema: Record<string, unknown> }) {
  const rows = rowsOf(schema);
  return (
    <Card title="Parameters">
      {rows.length === 0 ? (
        <p>No parameters.</p>
      ) : (
        <Table
          caption="Parameters"
          rows={rows}
          rowKey={(row) => row.name}
          rowAttributes={(row) => ({ "data-parameter": row.name })}
          columns={[
            { header: "Name", cell: (row) => <code>{row.name}</code> },
            { header: "Type", cell: (row) => row.type },
            { header: "Required", cell: (row) => (row.required ? "Yes" : "No") },
            { header: "Default", cell: (row) => row.default },
            { header: "Description", cell: (row) => row.description },
          ]}
        />
      )}
    </Card>
  );
}
