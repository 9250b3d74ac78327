import type { WriteWorkspaceFileResult } from "@bifrost/contracts";
import { useMutation } from "@tanstack/react-query";
import { apiFetch } from "../../../api/client.js";
import { RenameForm } from "../EditorParts.js";
import type { TypeScriptService } from "./ts-client.js";

type Edit = { from: number; to: number };

/** `content` with every range of `edits` replaced by `text` (ranges do not overlap). */
const applyEdits = (content: string, edits: readonly Edit[], text: string): string =>
  [...edits]
    .sort((a, b) => b.from - a.from)
    .reduce((result, edit) => result.slice(0, edit.from) + text + result.slice(edit.to), content);

/**
 * F2 on a symbol: its new name, then every place TypeScript knows of in the workspace changes. The
 * open file changes in the editor (save it as usual); other files are saved at once, each only if
 * nobody changed it since it was read (its hash), else the rename says so and leaves it.
 */
export function RenameSymbolDialog({
  service,
  path,
  pos,
  name,
  sources,
  hashes,
  editOpenFile,
  onClose,
  onSaved,
}: {
  service: TypeScriptService;
  path: string;
  pos: number;
  name: string;
  sources: ReadonlyMap<string, string>;
  hashes: ReadonlyMap<string, string>;
  editOpenFile: (edits: Edit[], text: string) => void;
  onClose: () => void;
  onSaved: () => void;
}) {
  const rename = useMutation({
    mutationFn: async (newName: string) => {
      if (!/^[A-Za-z_$][\w$]*$/.test(newName)) throw new Error(`"${newName}" is not a valid name`);
      const answer = await service.renameEdits({ path, pos });
      if (!answer.ok) throw new Error(answer.message);
      const others = answer.files.filter((file) => file.path !== path);
      for (const file of others) {
        const content = sources.get(file.path);
        if (content === undefined) throw new Error(`${file.path} is not loaded yet: try again`);
        await apiFetch<WriteWorkspaceFileResult>("/api/files/editor/content", {
          method: "PUT",
          body: {
            path: file.path,
            content: applyEdits(content, file.edits, newName),
            ...(hashes.get(file.path) ? { expectedHash: hashes.get(file.path) } : {}),
          },
        });
      }
      const own = answer.files.find((file) => file.path === path);
      if (own) editOpenFile(own.edits, newName);
      return others.length;
    },
    onSuccess: (savedFiles) => {
      if (savedFiles > 0) onSaved();
      onClose();
    },
  });
  return (
    <RenameForm
      title={`Rename ${name}`}
      description="Every use in the workspace changes; other files that use it are saved at once."
      label="New name"
      current={name}
      busy={rename.isPending}
      error={rename.error}
      onRename={(to) => rename.mutate(to)}
      onClose={onClose}
    />
  );
}
