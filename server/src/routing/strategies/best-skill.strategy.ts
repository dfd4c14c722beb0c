// The agent whose skills match the task best: Σ weight × level over the task's required skills, plus the
// queue membership's own level; ties go to the longest idle.
import { pickMin, type Candidate, type Strategy, type StrategyTask } from '../routing.types.ts';

export function skillScore(task: StrategyTask, candidate: Candidate): number {
  let score = candidate.queueSkillLevel;
  for (const r of task.requiredSkills) score += r.weight * (candidate.skills.get(r.skill) ?? 0);
  return score;
}

export const bestSkill: Strategy = {
  description: 'The best weighted skill match',
  ringAll: false,
  choose: (task, candidates) => {
    const top = Math.max(...candidates.map((c) => skillScore(task, c)));
    const best = pickMin(candidates.filter((c) => skillScore(task, c) === top), (c) => c.idleSince);
    return best ? [best.agentId] : [];
  },
};
