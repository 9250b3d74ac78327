import { Button } from "../../components/ui/index.js";
import type { DraftField } from "./draft.js";
import { missingFields } from "./fields-from-params.js";

/** Fields made from a workflow's parameters, waiting for the user's answer (the form has fields). */
export type Offer = { workflowName: string; fields: DraftField[]; skipped: string[] };

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** What filling the fields from the parameters did, in words. */
export function filledMessage(workflowName: string, added: number, skipped: string[]): string {
  const done = `Made ${plural(added, "field")} from the parameters of ${workflowName}.`;
  return skipped.length === 0
    ? done
    : `${done} Not made (no field type submits them; add them by hand if needed): ${skipped.join(", ")}.`;
}

/**
 * Asks before the fields of a form that has some are replaced by those of the chosen workflow's
 * parameters; "Add the missing ones" keeps every field and appends the parameters none is named after.
 */
export function ParameterFieldsOffer({
  offer,
  current,
  onReplace,
  onAdd,
  onKeep,
}: {
  offer: Offer;
  current: readonly DraftField[];
  onReplace: () => void;
  onAdd: (fields: DraftField[]) => void;
  onKeep: () => void;
}) {
  const missing = missingFields(current, offer.fields);
  return (
    <div className="form-param-offer" role="group" aria-labelledby="form-param-offer-title">
      <p id="form-param-offer-title">
        {offer.workflowName} takes {plural(offer.fields.length, "parameter")} (
        {offer.fields.map((f) => f.name).join(", ")}). The form already has {plural(current.length, "field")}:
        make its fields from the parameters?
      </p>
      <div className="form-param-offer__actions">
        <Button onClick={onReplace}>Replace the fields</Button>
        {missing.length > 0 && (
          <Button onClick={() => onAdd(missing)}>Add the missing ones ({missing.length})</Button>
        )}
        <Button variant="ghost" onClick={onKeep}>
          Keep the fields as they are
        </Button>
      </div>
    </div>
  );
}
