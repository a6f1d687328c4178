import 'reflect-metadata';
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  Min,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import { CONSENT_EVIDENCE_KINDS, type ConsentEvidenceKind } from './consent-evidence.contract';

/** Subject part of {@link ConsentEvidenceDto}. */
export class EvidenceSubjectDto {
  @IsString()
  @IsNotEmpty()
  key!: string;
}

/** A marketing scope, validated. */
export class MarketingScopeDto {
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  brands!: string[];

  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  channels!: string[];

  @IsArray()
  @IsString({ each: true })
  productGroups!: string[];
}

/**
 * Shape check for consent evidence at the boundary (gateway, consent service). It checks types,
 * not legal validity: a record missing R4 fields is still accepted here and then assessed as
 * invalid by the decision core, so the ledger keeps it as evidence of a defective consent.
 */
export class ConsentEvidenceDto {
  @IsString()
  @IsNotEmpty()
  evidenceId!: string;

  @IsIn(CONSENT_EVIDENCE_KINDS)
  kind!: ConsentEvidenceKind;

  @ValidateNested()
  @Type(() => EvidenceSubjectDto)
  subject!: EvidenceSubjectDto;

  @IsISO8601({ strict: true })
  timestamp!: string;

  @IsOptional()
  @IsString()
  cmp?: string;

  @IsOptional()
  @IsString()
  formVersion?: string;

  @IsOptional()
  @IsString()
  textVersion?: string;

  @IsOptional()
  @IsString()
  action?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  uiLayer?: number;

  @IsOptional()
  @IsString()
  language?: string;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  purposes?: string[];

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => MarketingScopeDto)
  scopes?: MarketingScopeDto[];

  @IsOptional()
  @IsString()
  sourceChannel?: string;

  @IsOptional()
  @IsString()
  confirms?: string;

  @IsOptional()
  @IsBoolean()
  optOutOffered?: boolean;

  @IsOptional()
  @IsBoolean()
  optOutUsed?: boolean;
}
