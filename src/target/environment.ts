import type { Target } from './target.js';

/**
 * Which environment a run targets. A run targets production unless something declares otherwise:
 * a probe's `environment` param, then BAZAARHUB_ENVIRONMENT (env file, process env or --set). NODE_ENV
 * is not a declaration: it is a setting of the application, and NODE_ENV=development in the env file
 * of a production deployment is a fault of its own (env.flags), not a reason to relax other checks.
 * Named environments in the catalog can feed the same input later.
 */
export interface DeploymentEnvironment {
  name: string;
  production: boolean;
  /** Where the declaration came from, for findings: "BAZAARHUB_ENVIRONMENT=staging", "the environment param". */
  declaredBy?: string;
}

const PRODUCTION_NAMES = new Set(['production', 'prod', 'live']);

export const ENVIRONMENT_VARIABLE = 'BAZAARHUB_ENVIRONMENT';

export function environmentNamed(name: string, declaredBy?: string): DeploymentEnvironment {
  const normalised = name.trim().toLowerCase();
  return { name: normalised, production: PRODUCTION_NAMES.has(normalised), ...(declaredBy ? { declaredBy } : {}) };
}

export function deploymentEnvironment(target: Target, param = ''): DeploymentEnvironment {
  if (param.trim()) return environmentNamed(param, `the environment param (${param.trim()})`);
  const declared = target.get(ENVIRONMENT_VARIABLE);
  if (declared?.trim()) return environmentNamed(declared, `${ENVIRONMENT_VARIABLE}=${declared.trim()}`);
  return { name: 'production', production: true };
}
