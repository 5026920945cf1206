/** Labels of the groups the product ships; any other GROUP_BY field is shown by its name. */
const GROUP_LABELS: Record<string, string> = { all: "All users", gender: "Gender", nat: "Nationality" };

export function groupLabel(group: string): string {
  return GROUP_LABELS[group] ?? group;
}
