/**
 * Recognising a reworded checklist item: an entry whose item left the checklist and a new item that
 * took its place. Text similarity (tokens and letter pairs) and position (the same unchanged
 * neighbours on both sides) decide; within one section only, unless the user says so.
 */

export interface RenameSide {
  id: string;
  title: string;
  phase: string;
  section: string;
  /** Ids of the unchanged neighbours (items present in both the checklist and the catalog), or null at an end. */
  before: string | null;
  after: string | null;
}

export interface RenameCandidate {
  from: string;
  to: string;
  score: number;
  /** true: sync moves the entry to the new text; false: only a possible rename, both kept. */
  sure: boolean;
  why: string;
}

const tokens = (text: string) => new Set(text.toLowerCase().replace(/\([^)]*\)/g, (aside) => ` ${aside} `).match(/[a-z0-9_]+/g) ?? []);

function dice<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const value of a) if (b.has(value)) shared++;
  return (2 * shared) / (a.size + b.size);
}

function bigrams(text: string): Set<string> {
  const clean = text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  const pairs = new Set<string>();
  for (let index = 0; index < clean.length - 1; index++) pairs.add(clean.slice(index, index + 2));
  return pairs;
}

interface Shape {
  tokens: Set<string>;
  bigrams: Set<string>;
}

const shapeOf = (text: string): Shape => ({ tokens: tokens(text), bigrams: bigrams(text) });
const alike = (a: Shape, b: Shape) => Math.max(dice(a.tokens, b.tokens), dice(a.bigrams, b.bigrams));

/** 0..1: how alike two item texts are (the better of word overlap and letter-pair overlap). */
export function similarity(a: string, b: string): number {
  return alike(shapeOf(a), shapeOf(b));
}

/** Pairs compared across sections at most; beyond it (a rewritten checklist) only same-section pairs are. */
const CROSS_SECTION_LIMIT = 40_000;

const SURE = 0.6;
const SURE_IN_PLACE = 0.25;
const POSSIBLE = 0.3;

/**
 * Pairs vanished entries with new items. A pair is sure when both sit in the same section and the
 * texts are alike (or they sit between the same unchanged neighbours and share something), and no
 * other pairing comes close; everything weaker but plausible is a possible rename.
 */
export function matchRenames(vanished: readonly RenameSide[], added: readonly RenameSide[]): RenameCandidate[] {
  const pairs: RenameCandidate[] = [];
  const shapes = new Map<RenameSide, Shape>();
  const shape = (side: RenameSide) => {
    let found = shapes.get(side);
    if (!found) shapes.set(side, (found = shapeOf(side.title)));
    return found;
  };
  const crossSection = vanished.length * added.length <= CROSS_SECTION_LIMIT;
  for (const old of vanished) {
    for (const item of added) {
      const sameSection = old.phase === item.phase && old.section === item.section;
      const inPlace = old.before === item.before && old.after === item.after;
      if (!sameSection && !inPlace && !crossSection) continue;
      const text = alike(shape(old), shape(item));
      const sure = sameSection && (text >= SURE || (inPlace && text >= SURE_IN_PLACE));
      const possible = sure || (sameSection && text >= POSSIBLE) || inPlace || text >= SURE;
      if (!possible) continue;
      const why = [`${Math.round(text * 100)}% alike`, sameSection ? 'same section' : 'another section', ...(inPlace ? ['same place between unchanged neighbours'] : [])].join(', ');
      pairs.push({ from: old.id, to: item.id, score: text + (inPlace ? 0.3 : 0) + (sameSection ? 0.2 : 0), sure, why });
    }
  }
  pairs.sort((a, b) => b.score - a.score);
  const bySide = new Map<string, RenameCandidate[]>();
  for (const pair of pairs) {
    for (const key of [`from ${pair.from}`, `to ${pair.to}`]) {
      const list = bySide.get(key);
      if (list) list.push(pair);
      else bySide.set(key, [pair]);
    }
  }
  const taken = new Set<string>();
  const out: RenameCandidate[] = [];
  for (const pair of pairs) {
    if (taken.has(pair.from) || taken.has(pair.to)) continue;
    // A rival for either side within 0.1 of this score makes it a guess.
    const rival = (key: string) => (bySide.get(key) ?? []).some((other) => other !== pair && !taken.has(other.from) && !taken.has(other.to) && pair.score - other.score < 0.1);
    const sure = pair.sure && !rival(`from ${pair.from}`) && !rival(`to ${pair.to}`);
    if (sure) {
      taken.add(pair.from);
      taken.add(pair.to);
    }
    out.push({ ...pair, sure });
  }
  // A side that was paired for sure is not also offered as a possible rename; each vanished entry
  // (and each new item) is offered once, with its best candidate.
  const offered = new Set<string>();
  return out.filter((pair) => {
    if (pair.sure) return true;
    if (taken.has(pair.from) || taken.has(pair.to) || offered.has(`from ${pair.from}`) || offered.has(`to ${pair.to}`)) return false;
    offered.add(`from ${pair.from}`);
    offered.add(`to ${pair.to}`);
    return true;
  });
}
