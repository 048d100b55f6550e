import {
  type APIComponentInLabel,
  type APIModalInteractionResponseCallbackComponent,
  ComponentType,
  TextInputStyle,
} from "discord.js";
import { optionLetter } from "./render-components.js";
import type { FormField } from "./render-message.js";

// Forms (modals) are filled in by the Discord client, which enforces required fields, lengths and menu counts
// before anything is sent; the console asks field by field and enforces the same rules.

/** The inputs of a modal the bot opened, in order; text displays inside the modal carry no input and are skipped. */
export function formFields(components: readonly APIModalInteractionResponseCallbackComponent[]): FormField[] {
  const fields: FormField[] = [];
  for (const component of components) {
    if (component.type === ComponentType.ActionRow) {
      for (const input of component.components) fields.push(fieldOf(input, input.label ?? input.custom_id));
    } else if (component.type === ComponentType.Label) {
      const field = fieldOf(component.component, component.label);
      fields.push(component.description ? { ...field, description: component.description } : field);
    }
  }
  return fields;
}

function fieldOf(input: APIComponentInLabel, label: string): FormField {
  const base = { customId: input.custom_id, label, paragraph: false, options: [], minValues: 0, maxValues: 0 };
  if (input.type === ComponentType.TextInput) {
    return {
      ...base,
      kind: "text",
      required: input.required !== false,
      paragraph: input.style === TextInputStyle.Paragraph,
      ...(input.placeholder ? { placeholder: input.placeholder } : {}),
      ...(input.value ? { value: input.value } : {}),
      ...(input.min_length !== undefined ? { minLength: input.min_length } : {}),
      ...(input.max_length !== undefined ? { maxLength: input.max_length } : {}),
    };
  }
  if (input.type === ComponentType.StringSelect) {
    const minValues = input.min_values ?? 1;
    return {
      ...base,
      kind: "select",
      required: input.required !== false && minValues > 0,
      options: input.options,
      minValues,
      maxValues: input.max_values ?? 1,
      ...(input.placeholder ? { placeholder: input.placeholder } : {}),
    };
  }
  // Member/role/channel menus, file uploads, checkboxes: not answerable from a console line yet; sent empty.
  return { ...base, kind: "select", required: false, label: `${label} (not supported in the console; left empty)` };
}

export type FieldAnswer = { ok: true; value: string | string[] } | { ok: false; problem: string };

/**
 * Checks one typed line against the field, as the Discord client would before submitting. An empty line keeps a
 * prefilled value (the box starts filled in) or leaves an optional field empty.
 */
export function answerField(field: FormField, line: string): FieldAnswer {
  if (field.kind === "text") {
    const typed = line.replace(/\\n/g, "\n");
    const value = typed === "" ? (field.value ?? "") : typed;
    if (value === "" && field.required) return { ok: false, problem: "This field is required." };
    if (value !== "" && field.minLength !== undefined && value.length < field.minLength)
      return { ok: false, problem: `Type at least ${field.minLength} characters (you typed ${value.length}).` };
    if (field.maxLength !== undefined && value.length > field.maxLength)
      return { ok: false, problem: `At most ${field.maxLength} characters (you typed ${value.length}).` };
    return { ok: true, value };
  }
  const picks = line.split(/[\s,]+/).filter(Boolean);
  if (field.options.length === 0) return { ok: true, value: [] };
  const values: string[] = [];
  for (const pick of picks) {
    const index = optionIndex(pick, field.options.length);
    const option = index === undefined ? undefined : field.options[index];
    if (!option)
      return { ok: false, problem: `"${pick}" is not one of the options a–${optionLetter(field.options.length - 1)}.` };
    if (!values.includes(option.value)) values.push(option.value);
  }
  if (values.length === 0 && !field.required) return { ok: true, value: [] };
  if (values.length < field.minValues || values.length > field.maxValues)
    return {
      ok: false,
      problem:
        field.minValues === field.maxValues
          ? `Choose ${field.minValues}.`
          : `Choose between ${field.minValues} and ${field.maxValues}.`,
    };
  return { ok: true, value: values };
}

/** `a` or `1` → 0. Letters as shown next to the options, numbers for those who prefer counting. */
export function optionIndex(pick: string, count: number): number | undefined {
  const lower = pick.toLowerCase();
  if (/^\d+$/.test(lower)) {
    const index = Number(lower) - 1;
    return index >= 0 && index < count ? index : undefined;
  }
  for (let index = 0; index < count; index++) if (optionLetter(index) === lower) return index;
  return undefined;
}
