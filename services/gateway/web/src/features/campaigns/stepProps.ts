import type { WizardState } from "./wizard";

export type SetState = (update: (state: WizardState) => WizardState) => void;

/** What every step of the campaign form gets: the state, a setter, and the shown error of a field. */
export interface StepProps {
  state: WizardState;
  set: SetState;
  /** The message under a field, once the user tried to move on (undefined otherwise). */
  error: (field: string) => string | undefined;
}
