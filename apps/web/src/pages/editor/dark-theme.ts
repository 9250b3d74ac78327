import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { oneDarkTheme } from "@codemirror/theme-one-dark";
import { tags } from "@lezer/highlight";

/**
 * The One Dark editor chrome with token colours that keep at least 5:1 contrast on its background
 * (#282c34) and on the active line: One Dark's own red, violet and comment grey fall below the
 * 4.5:1 that WCAG AA (and axe) asks for.
 */
const colours = {
  keyword: "#d7a0e6",
  name: "#ef8a92",
  fn: "#61afef",
  constant: "#d19a66",
  plain: "#abb2bf",
  type: "#e5c07b",
  operator: "#56b6c2",
  comment: "#a3acbc",
  string: "#98c379",
};

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: colours.keyword },
  { tag: [tags.name, tags.propertyName, tags.deleted, tags.character, tags.macroName], color: colours.name },
  { tag: [tags.function(tags.variableName), tags.labelName], color: colours.fn },
  {
    tag: [
      tags.constant(tags.name),
      tags.standard(tags.name),
      tags.atom,
      tags.bool,
      tags.special(tags.variableName),
    ],
    color: colours.constant,
  },
  { tag: [tags.definition(tags.name), tags.separator], color: colours.plain },
  {
    tag: [
      tags.typeName,
      tags.className,
      tags.number,
      tags.annotation,
      tags.modifier,
      tags.self,
      tags.namespace,
    ],
    color: colours.type,
  },
  {
    tag: [tags.operator, tags.operatorKeyword, tags.url, tags.escape, tags.regexp, tags.special(tags.string)],
    color: colours.operator,
  },
  { tag: [tags.meta, tags.comment], color: colours.comment, fontStyle: "italic" },
  { tag: [tags.string, tags.inserted, tags.processingInstruction], color: colours.string },
  { tag: tags.invalid, color: "#ffffff" },
]);

export const accessibleDark = [oneDarkTheme, syntaxHighlighting(highlight)];
