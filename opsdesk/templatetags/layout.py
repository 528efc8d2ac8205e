"""``{% layout title %}…{% endlayout %}``: the content between the tags inside the page
layout, from the copy ``opsdesk.platform.layout`` keeps (for pages whose content is mostly cached:
the region and chain dashboards). Same output as extending ``base.html``."""

from django import template

from opsdesk.platform.layout import render_in_layout

register = template.Library()


class LayoutNode(template.Node):
    def __init__(self, title: template.base.FilterExpression, nodelist: template.NodeList):
        self.title = title
        self.nodelist = nodelist

    def render(self, context) -> str:
        return render_in_layout(
            context["request"],
            title=str(self.title.resolve(context)),
            content=self.nodelist.render(context),
        )


@register.tag("layout")
def layout(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% layout %} takes one argument: the page title.")
    nodelist = parser.parse(("endlayout",))
    parser.delete_first_token()
    return LayoutNode(parser.compile_filter(bits[1]), nodelist)
