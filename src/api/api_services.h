/*
 * api_services.h: the JSON endpoints of member services: mutual-aid cards
 * (api_cards.c), reimbursement plans and claims (api_claims.c) and
 * giveaways (api_giveaways.c).
 */
#ifndef UB_API_SERVICES_H
#define UB_API_SERVICES_H

#include "http/req.h"

void api_cards_create(struct req *r);
void api_cards_counts(struct req *r);
void api_members_card(struct req *r);
void api_members_card_reissue(struct req *r);
void api_members_card_lost(struct req *r);

void api_plans_list(struct req *r);
void api_plans_create(struct req *r);
void api_claims_create(struct req *r);
void api_claims_list(struct req *r);
void api_claims_payable(struct req *r);
void api_claims_export(struct req *r);
void api_claims_get(struct req *r);
void api_claims_verify(struct req *r);
void api_claims_approve(struct req *r);
void api_claims_reject(struct req *r);
void api_claims_pay(struct req *r);
void api_claims_pay_batch(struct req *r);
void api_claims_reveal(struct req *r);

void api_giveaways_create(struct req *r);
void api_giveaways_list(struct req *r);
void api_giveaways_get(struct req *r);
void api_giveaways_claim(struct req *r);
void api_giveaways_redeem(struct req *r);
void api_me_giveaways(struct req *r);

#endif
