import { Languages } from "lucide-react";
import { type Language, useI18n } from "@/i18n";
import { LANGUAGES } from "@/i18n/detect";
import { Button } from "./ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuTrigger,
} from "./ui/dropdown-menu";

export function LanguageMenu() {
  const { m, lang, setLang } = useI18n();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="sm" aria-label={`${m.language.label}: ${m.language[lang]}`}>
          <Languages aria-hidden="true" />
          <span className="hidden text-xs font-semibold uppercase lg:inline">{lang === "en" ? "EN" : "PT"}</span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel>{m.language.label}</DropdownMenuLabel>
        <DropdownMenuRadioGroup value={lang} onValueChange={(value) => setLang(value as Language)}>
          {LANGUAGES.map((option) => (
            <DropdownMenuRadioItem key={option} value={option} lang={option}>
              {m.language[option]}
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
