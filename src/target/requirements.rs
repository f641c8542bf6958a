//! Fields each target format needs, checked at compile time so a missing field is an
//! error in the mapping, not a broken file at 3 a.m.

use crate::check::BlockPlan;
use crate::diagnostic::{Code, Diag};
use crate::load::{Pipeline, TargetKind};
use crate::model::EntityKind;

pub fn required_fields(kind: TargetKind) -> &'static [(EntityKind, &'static str)] {
    match kind {
        TargetKind::OneRoster11 | TargetKind::OneRoster12 | TargetKind::Sds21 => &[
            (EntityKind::Person, "username"),
            (EntityKind::Person, "school"),
            (EntityKind::Group, "schoolYear"),
        ],
        TargetKind::PifuIms => &[(EntityKind::Group, "school")],
        TargetKind::Scim20 => &[(EntityKind::Person, "username")],
    }
}

pub fn check_requirements(pipeline: &Pipeline, blocks: &[BlockPlan]) -> Vec<Diag> {
    let mut diags = Vec::new();
    for target in &pipeline.targets {
        for (entity, field) in required_fields(target.kind.node) {
            let Some(index) = entity.field_index(field) else {
                continue;
            };
            for block in blocks
                .iter()
                .filter(|b| b.entity == *entity && b.fields[index].is_none())
            {
                diags.push(
                    Diag::error(
                        Code::MissingField,
                        format!(
                            "target `{}` ({}) needs `{}.{}`",
                            target.name.node,
                            target.kind.node.name(),
                            entity.name(),
                            field
                        ),
                    )
                    .label(block.span, format!("this block does not assign `{field}`"))
                    .label(target.kind.span, "the target is declared here")
                    .help(format!("add `{field} = ...` to the block")),
                );
            }
        }
    }
    diags
}
