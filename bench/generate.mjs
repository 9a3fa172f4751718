// Generated checklists for the scaling benchmark: the real checklist's shape (phases, sections,
// task lines with inline code and env names, ✅ criteria, a requirements fence), stretched to n items.
import { readFileSync } from 'node:fs';

export function generateChecklist(n, realChecklist) {
  const tasks = realChecklist.split('\n').filter((line) => /^- \[ \] /.test(line)).map((line) => line.slice(6));
  const out = ['# Generated deployment checklist', ''];
  let items = 0;
  for (let phase = 0; items < n; phase++) {
    out.push(`## Phase ${phase} (Week ${phase + 1})`, '');
    for (let section = 0; section < 10 && items < n; section++) {
      out.push(`### ${section % 7 === 3 ? 'Weekly Tasks' : `Section ${phase}.${section}`}`);
      for (let k = 0; k < 20 && items < n; k++, items++) out.push(`- [${items % 9 === 0 ? 'x' : ' '}] ${tasks[items % tasks.length]} (item ${items})`);
      out.push('');
    }
    if (items < n) {
      out.push('### Success Criteria', `✅ Phase ${phase} error rate < 0.5%`, '', '```bash', '# Required variables', `- PHASE_${phase}_URL`, '```', '');
      items += 2;
    }
  }
  return `${out.join('\n')}\n`;
}

export function realChecklist(root) {
  return readFileSync(`${root}/checklists/deployment.md`, 'utf8');
}
