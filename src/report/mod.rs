//! `report.html`: the story of a run folder, read back from the files the stages wrote
//! (through the same typed records that wrote them).

pub mod html;
