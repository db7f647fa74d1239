"""Draw a function's dataflow, and optionally its adjoint flow, as a Graphviz graph.

    g = srcgrad.graph(loss, wrt=("w", "b"))
    g.render("loss.svg")          # needs the graphviz package and the `dot` program
    print(g.to_dot())             # DOT text, no dependency

The graph is read from the normalized, SSA form of the function (`pipeline.analyze`,
builder.py), and drawn by model.py:

* one node per parameter: the `wrt` ones filled light blue (they get gradients),
  the other inputs grey;
* one box per operation, named by its rule label (`*`, `np.sum`, `.T`) over the
  name it assigns; operations that carry no gradient (inactive) are dimmed;
* the result node, and edges from each operand to the operation that reads it;
* each branch of an `if` as a cluster labelled `if cond` / `else`, each loop as a
  cluster labelled `for ...` / `while ...`, with a dotted edge from the condition;
* with `adjoint=True`, dashed edges in the reverse direction for the adjoints
  that flow between active values.
"""

from .builder import graph
from .model import Cluster, Edge, Graph, Node, attributes, quote

__all__ = ["Cluster", "Edge", "Graph", "Node", "attributes", "graph", "quote"]
