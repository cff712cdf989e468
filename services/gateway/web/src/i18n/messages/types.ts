import type ptBR from "./pt-BR";

/** Every language has exactly the Portuguese dictionary's shape, with strings (or string functions) of its own. */
export type Widen<T> = T extends string
  ? string
  : T extends (...args: infer A) => string
    ? (...args: A) => string
    : T extends Record<string, unknown>
      ? { [K in keyof T]: Widen<T[K]> }
      : T;

export type Messages = Widen<typeof ptBR>;
