import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { browserLanguages, type Language, LANGUAGE_STORAGE_KEY, pickLanguage, storedLanguage } from "./detect";
import en from "./messages/en";
import ptBR from "./messages/pt-BR";
import type { Messages } from "./messages/types";

export type { Language } from "./detect";
export type { Messages } from "./messages/types";

export const dictionaries: Record<Language, Messages> = { "pt-BR": ptBR, en };

interface I18nValue {
  lang: Language;
  m: Messages;
  setLang: (lang: Language) => void;
}

const I18nContext = createContext<I18nValue | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Language>(() => pickLanguage(storedLanguage(), browserLanguages()));

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const setLang = useCallback((next: Language) => {
    try {
      localStorage.setItem(LANGUAGE_STORAGE_KEY, next);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
    setLangState(next);
  }, []);

  const value = useMemo(() => ({ lang, m: dictionaries[lang], setLang }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The current language, its dictionary (`m.nav.inbox`) and a setter that is remembered. */
export function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
