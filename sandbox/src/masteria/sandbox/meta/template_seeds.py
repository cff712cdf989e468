"""Templates every simulated WhatsApp Business account starts with: Meta's sample and a few pt_BR ones.

They cover what adapters must handle: positional `{{1}}` placeholders in header, body and a URL button,
a NAMED template, media headers, an authentication template, and templates that are not APPROVED.
"""

from typing import Any

SEED_TEMPLATES: list[dict[str, Any]] = [
    {
        "name": "hello_world",
        "language": "en_US",
        "category": "UTILITY",
        "status": "APPROVED",
        "parameter_format": "POSITIONAL",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
            {
                "type": "BODY",
                "text": "Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp "
                "message notification from the Cloud API, hosted by Meta. Thank you for taking the time to "
                "test with us.",
            },
            {"type": "FOOTER", "text": "WhatsApp Business Platform sample message"},
        ],
    },
    {
        # One body variable and nothing else: the usual template to reopen a conversation.
        "name": "boas_vindas",
        "language": "pt_BR",
        "category": "UTILITY",
        "status": "APPROVED",
        "parameter_format": "POSITIONAL",
        "components": [
            {
                "type": "BODY",
                "text": "Olá {{1}}! Que bom falar com você. Podemos continuar o seu atendimento por aqui?",
                "example": {"body_text": [["Maria"]]},
            },
            {"type": "FOOTER", "text": "Responda esta mensagem para continuar"},
        ],
    },
    {
        "name": "confirmacao_pedido",
        "language": "pt_BR",
        "category": "UTILITY",
        "status": "APPROVED",
        "parameter_format": "POSITIONAL",
        "components": [
            {
                "type": "HEADER",
                "format": "TEXT",
                "text": "Pedido {{1}} confirmado",
                "example": {"header_text": ["#48213"]},
            },
            {
                "type": "BODY",
                "text": "Olá {{1}}! Recebemos o seu pedido {{2}} no valor de {{3}}. Avisaremos por aqui assim "
                "que ele sair para entrega.",
                "example": {"body_text": [["Maria", "#48213", "R$ 189,90"]]},
            },
            {"type": "FOOTER", "text": "Loja Exemplo"},
            {
                "type": "BUTTONS",
                "buttons": [
                    {
                        "type": "URL",
                        "text": "Acompanhar pedido",
                        "url": "https://loja.exemplo.com.br/pedidos/{{1}}",
                        "example": ["https://loja.exemplo.com.br/pedidos/48213"],
                    }
                ],
            },
        ],
    },
    {
        "name": "lembrete_consulta",
        "language": "pt_BR",
        "category": "UTILITY",
        "status": "APPROVED",
        "parameter_format": "POSITIONAL",
        "components": [
            {
                "type": "BODY",
                "text": "Olá {{1}}, lembramos da sua consulta com {{2}} em {{3}}. Podemos confirmar a sua presença?",
                "example": {"body_text": [["João", "Dra. Ana Souza", "12/03 às 14h30"]]},
            },
            {
                "type": "BUTTONS",
                "buttons": [{"type": "QUICK_REPLY", "text": "Confirmar"}, {"type": "QUICK_REPLY", "text": "Remarcar"}],
            },
        ],
    },
    {
        "name": "atualizacao_entrega",
        "language": "pt_BR",
        "category": "UTILITY",
        "status": "APPROVED",
        "parameter_format": "NAMED",
        "components": [
            {
                "type": "BODY",
                "text": "Oi {{nome}}! Seu pedido {{pedido}} saiu para entrega e deve chegar até {{previsao}}.",
                "example": {
                    "body_text_named_params": [
                        {"param_name": "nome", "example": "Maria"},
                        {"param_name": "pedido", "example": "#48213"},
                        {"param_name": "previsao", "example": "hoje às 18h"},
                    ]
                },
            }
        ],
    },
    {
        "name": "segunda_via_boleto",
        "language": "pt_BR",
        "category": "UTILITY",
        "status": "APPROVED",
        "parameter_format": "POSITIONAL",
        "components": [
            {
                "type": "HEADER",
                "format": "DOCUMENT",
                "example": {"header_handle": ["4::YXBwbGljYXRpb24vcGRm:ARZexemploBoleto"]},
            },
            {
                "type": "BODY",
                "text": "Olá {{1}}, segue a segunda via do seu boleto com vencimento em {{2}}.",
                "example": {"body_text": [["Carlos", "10/04/2025"]]},
            },
        ],
    },
    {
        "name": "promocao_relampago",
        "language": "pt_BR",
        "category": "MARKETING",
        "status": "APPROVED",
        "parameter_format": "POSITIONAL",
        "components": [
            {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["4::aW1hZ2UvanBlZw==:ARZexemplo"]}},
            {
                "type": "BODY",
                "text": "{{1}}, só hoje: {{2}} de desconto em toda a loja! Use o cupom {{3}} no carrinho.",
                "example": {"body_text": [["Maria", "30%", "RELAMPAGO30"]]},
            },
            {"type": "FOOTER", "text": "Não quer receber ofertas? Responda SAIR"},
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Parar promoções"}]},
        ],
    },
    {
        "name": "codigo_verificacao",
        "language": "pt_BR",
        "category": "AUTHENTICATION",
        "status": "APPROVED",
        "parameter_format": "POSITIONAL",
        "components": [
            {
                "type": "BODY",
                "text": "*{{1}}* é o seu código de verificação. Para sua segurança, não o compartilhe.",
                "add_security_recommendation": True,
            },
            {"type": "FOOTER", "text": "Este código expira em 10 minutos.", "code_expiration_minutes": 10},
            {
                "type": "BUTTONS",
                "buttons": [
                    {
                        "type": "URL",
                        "text": "Copiar código",
                        "url": "https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code_expiration_minutes=10"
                        "&code=otp{{1}}",
                        "example": [
                            "https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code_expiration_minutes=10"
                            "&code=otp123456"
                        ],
                    }
                ],
            },
        ],
    },
    {
        "name": "pesquisa_satisfacao",
        "language": "pt_BR",
        "category": "MARKETING",
        "status": "PAUSED",
        "parameter_format": "POSITIONAL",
        "components": [
            {
                "type": "BODY",
                "text": "Olá {{1}}, como foi o seu atendimento hoje? Responda com uma nota de 1 a 5.",
                "example": {"body_text": [["Maria"]]},
            }
        ],
    },
    {
        "name": "oferta_imperdivel",
        "language": "pt_BR",
        "category": "MARKETING",
        "status": "REJECTED",
        "rejected_reason": "PROMOTIONAL",
        "parameter_format": "POSITIONAL",
        "components": [
            {
                "type": "BODY",
                "text": "GANHE JÁ!!! Oferta imperdível só para você, {{1}}: clique e aproveite!",
                "example": {"body_text": [["Maria"]]},
            }
        ],
    },
]
