export { Badge, type BadgeTone } from "./Badge.js";
export { Button, type ButtonProps } from "./Button.js";
export { Card } from "./Card.js";
export { Dialog } from "./Dialog.js";
export { Field, Input, Select } from "./Field.js";
export { Menu, type MenuItem } from "./Menu.js";
export { Spinner } from "./Spinner.js";
export { EmptyState, ErrorState, errorMessage } from "./States.js";
export { Table, type Column } from "./Table.js";
