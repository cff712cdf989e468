import type { Language } from "./detect";
import { useI18n } from "./index";
import type { Widen } from "./messages/types";

/**
 * A page's own words, shipped with the page's code (not in the first load): the same rule as the app's
 * dictionary, pt-BR is the source of the shape and TypeScript asks for every key in English.
 */
export type FeatureMessages<T> = { "pt-BR": T } & Record<Exclude<Language, "pt-BR">, Widen<T>>;

export function defineMessages<T>(messages: FeatureMessages<T>): FeatureMessages<T> {
  return messages;
}

/** The page's dictionary in the current language. */
export function useMessages<T>(messages: FeatureMessages<T>): Widen<T> {
  const { lang } = useI18n();
  return messages[lang] as Widen<T>;
}
