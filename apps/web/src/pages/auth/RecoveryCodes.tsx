import { useState } from "react";
import { Button } from "../../components/ui/index.js";

/** The recovery codes, with copy to the clipboard and download as a text file. */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  const [copied, setCopied] = useState<"yes" | "failed" | undefined>();
  const text = `${codes.join("\n")}\n`;
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setCopied("yes"),
      () => setCopied("failed"),
    );
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "bifrost-recovery-codes.txt";
    link.click();
    URL.revokeObjectURL(url);
  };
  return (
    <div className="recovery-codes">
      <ol className="recovery-codes__list" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="recovery-codes__actions">
        <Button onClick={copy}>Copy</Button>
        <Button onClick={download}>Download</Button>
        <span role="status">
          {copied === "yes"
            ? "Copied."
            : copied === "failed"
              ? "Copying failed: select the codes instead."
              : ""}
        </span>
      </div>
    </div>
  );
}
