/**
 * A missing prerequisite of the local set-up (Java for DynamoDB Local, the npm registry for the local Lambda's Node
 * and runtime clients): the scripts print its message alone, one line saying what to install, instead of a stack
 * that points into the harness (harness/cleanup's runScript).
 */
export class PrerequisiteError extends Error {
  override readonly name: string = 'PrerequisiteError';
}
