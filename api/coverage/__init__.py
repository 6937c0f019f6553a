"""Coverage: rules per plan, the verdict engine, member spending, insurance denials and appeals."""
