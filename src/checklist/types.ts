export const CADENCES = ['per-release', 'daily', 'weekly', 'monthly', 'quarterly'] as const;
export type Cadence = (typeof CADENCES)[number];

/** task: a `- [ ]` box · criterion: a ✅ success-criteria line · requirement: a bullet inside a requirement-bearing code block */
export const ITEM_KINDS = ['task', 'criterion', 'requirement'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export interface ChecklistItem {
  id: string;
  title: string;
  kind: ItemKind;
  line: number;
  phase: string;
  phaseTitle: string;
  section: string;
  sectionTitle: string;
  cadence: Cadence;
  checked: boolean;
}

export interface Checklist {
  file: string;
  items: ChecklistItem[];
}
