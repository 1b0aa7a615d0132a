/** Stored provisioning templates (AWS's CreateProvisioningTemplate and friends). */
import { z } from 'zod';
import { alreadyExists, invalid, notFound } from '../errors.js';
import { parseInput } from '../registry/parse.js';
import type { Database, Queryable } from '../store/database.js';
import { checkTemplate, templateBody, type TemplateBody } from './template.js';

export const templateName = z.string().regex(/^[0-9A-Za-z_-]{1,36}$/, "template names are 1-36 letters, digits, '-' or '_'");

/** AWS takes the body as JSON text; an object is accepted too. */
const bodyOrText = z.preprocess((value, context) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    context.addIssue({ code: 'custom', message: `not valid JSON: ${(error as Error).message}` });
  }
}, templateBody);

export const createTemplate = z.strictObject({
  templateName,
  description: z.string().max(500).optional(),
  templateBody: bodyOrText.describe('the template, as an object or as its JSON text'),
  /** As AWS, a template is created disabled unless told otherwise. */
  enabled: z.boolean().optional(),
});

export const updateTemplate = z.strictObject({ description: z.string().max(500).optional(), templateBody: bodyOrText.optional(), enabled: z.boolean().optional() });

export interface ProvisioningTemplate {
  templateName: string;
  description?: string;
  templateBody: TemplateBody;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  name: string;
  description: string | null;
  body: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

const toTemplate = (row: Row): ProvisioningTemplate => ({
  templateName: row.name,
  ...(row.description !== null && { description: row.description }),
  templateBody: JSON.parse(row.body) as TemplateBody,
  enabled: row.enabled === 1,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

function checked(body: TemplateBody): TemplateBody {
  const problems = checkTemplate(body);
  if (problems.length > 0) throw invalid(`templateBody: ${problems.join('; ')}`);
  return body;
}

export class ProvisioningTemplates {
  constructor(private readonly db: Database) {}

  async create(input: unknown): Promise<ProvisioningTemplate> {
    const request = parseInput(createTemplate, input);
    const body = checked(request.templateBody);
    const now = Date.now();
    const { changes } = await this.db.run(
      'INSERT INTO provisioning_templates (name, description, body, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
      [request.templateName, request.description ?? null, JSON.stringify(body), request.enabled ? 1 : 0, now, now],
    );
    if (changes === 0) throw alreadyExists(`provisioning template ${request.templateName}`);
    return { templateName: request.templateName, ...(request.description !== undefined && { description: request.description }), templateBody: body, enabled: request.enabled ?? false, createdAt: now, updatedAt: now };
  }

  async get(name: string, tx: Queryable = this.db): Promise<ProvisioningTemplate> {
    const row = await tx.get<Row>('SELECT * FROM provisioning_templates WHERE name = ?', [name]);
    if (row === undefined) throw notFound(`provisioning template ${name}`);
    return toTemplate(row);
  }

  async list(): Promise<ProvisioningTemplate[]> {
    return (await this.db.all<Row>('SELECT * FROM provisioning_templates ORDER BY name')).map(toTemplate);
  }

  async update(name: string, input: unknown): Promise<ProvisioningTemplate> {
    const request = parseInput(updateTemplate, input);
    return this.db.transaction(async (tx) => {
      const current = await this.get(name, tx);
      const next = {
        ...current,
        ...(request.description !== undefined && { description: request.description }),
        ...(request.templateBody !== undefined && { templateBody: checked(request.templateBody) }),
        ...(request.enabled !== undefined && { enabled: request.enabled }),
        updatedAt: Date.now(),
      };
      await tx.run('UPDATE provisioning_templates SET description = ?, body = ?, enabled = ?, updated_at = ? WHERE name = ?', [next.description ?? null, JSON.stringify(next.templateBody), next.enabled ? 1 : 0, next.updatedAt, name]);
      return next;
    });
  }

  async delete(name: string): Promise<void> {
    const { changes } = await this.db.run('DELETE FROM provisioning_templates WHERE name = ?', [name]);
    if (changes === 0) throw notFound(`provisioning template ${name}`);
  }
}
