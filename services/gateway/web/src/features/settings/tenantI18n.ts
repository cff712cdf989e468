import { defineMessages } from "@/i18n/feature";

/** Settings → Preferences' company part (the tenant's time zone); pt-BR is the source. */
const ptBR = {
  title: "Fuso horário da empresa",
  description: "Vale para todos da equipe: as campanhas agendadas e o horário de silêncio usam este fuso.",
  label: "Fuso horário",
  save: "Salvar",
  saved: (zone: string) => `Fuso horário da empresa: ${zone}.`,
  onlyManagers: "Só proprietários e administradores podem mudar.",
};

const en: typeof ptBR = {
  title: "Company time zone",
  description: "Applies to the whole team: scheduled campaigns and quiet hours use this time zone.",
  label: "Time zone",
  save: "Save",
  saved: (zone: string) => `Company time zone: ${zone}.`,
  onlyManagers: "Only owners and admins can change it.",
};

export const tenantMessages = defineMessages({ "pt-BR": ptBR, en });
