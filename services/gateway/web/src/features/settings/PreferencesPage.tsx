import { Monitor, Moon, Sun } from "lucide-react";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { type Language, useI18n } from "@/i18n";
import { LANGUAGES } from "@/i18n/detect";
import { type ThemeChoice, useTheme } from "@/lib/theme";
import { cn } from "@/lib/utils";
import { TenantTimeZoneCard } from "./TenantTimeZoneCard";

function Choice<T extends string>({
  name,
  legend,
  value,
  options,
  onChange,
}: {
  name: string;
  legend: string;
  value: T;
  options: { value: T; label: string; icon?: typeof Sun; lang?: string }[];
  onChange: (value: T) => void;
}) {
  return (
    <fieldset className="grid gap-2">
      <legend className="sr-only">{legend}</legend>
      <div className="flex flex-wrap gap-2">
        {options.map((option) => (
          <label
            key={option.value}
            lang={option.lang}
            className={cn(
              "flex cursor-pointer items-center gap-2 rounded-md border border-input px-3 py-2 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
              value === option.value && "border-primary bg-accent text-accent-foreground",
            )}
          >
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
              className="sr-only"
            />
            {option.icon ? <option.icon className="size-4" aria-hidden="true" /> : null}
            {option.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export default function PreferencesPage() {
  const { m, lang, setLang } = useI18n();
  const { choice, setChoice } = useTheme();
  return (
    <div className="grid gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{m.preferences.title}</h1>
        <p className="mt-1 text-sm text-muted-foreground">{m.preferences.description}</p>
      </div>
      <Card>
        <CardHeader>
          <CardTitle>{m.language.label}</CardTitle>
        </CardHeader>
        <CardContent>
          <Choice<Language>
            name="language"
            legend={m.language.label}
            value={lang}
            onChange={setLang}
            options={LANGUAGES.map((l) => ({ value: l, label: m.language[l], lang: l }))}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>{m.theme.label}</CardTitle>
          <CardDescription>{m.preferences.themeHint}</CardDescription>
        </CardHeader>
        <CardContent>
          <Choice<ThemeChoice>
            name="theme"
            legend={m.theme.label}
            value={choice}
            onChange={setChoice}
            options={[
              { value: "light", label: m.theme.light, icon: Sun },
              { value: "dark", label: m.theme.dark, icon: Moon },
              { value: "system", label: m.preferences.system, icon: Monitor },
            ]}
          />
        </CardContent>
      </Card>
      <TenantTimeZoneCard />
    </div>
  );
}
